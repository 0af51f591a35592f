// Benign look-alike: a dapp asking the wallet for accounts; it hooks nothing.
export async function connect() {
  if (typeof window === "undefined" || !window.ethereum) return [];
  return window.ethereum.request({ method: "eth_requestAccounts" });
}
