// Benign look-alike: tells the user how to install Bun, runs nothing.
console.log("Bun is missing. Install it with: curl -fsSL https://bun.sh/install | bash");
