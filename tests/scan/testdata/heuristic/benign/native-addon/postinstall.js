// Benign look-alike: a thank-you message after install.
console.log("Thank you for installing native-addon!");
