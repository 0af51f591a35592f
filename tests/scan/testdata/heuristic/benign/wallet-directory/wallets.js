// Benign look-alike: a wallet picker linking to the extensions' store pages.
export const WALLETS = [
  { name: "MetaMask", chrome: "https://chromewebstore.google.com/detail/nkbihfbeogaeaoehlefnkodbefgpgknn" },
  { name: "Phantom", chrome: "https://chromewebstore.google.com/detail/bfnaelmomeimhlpmgjnjophhpkkoljpa" },
  { name: "Coinbase Wallet", chrome: "https://chromewebstore.google.com/detail/hnfanknocfeofbddgcijnmhnfnkdnaad" },
];
