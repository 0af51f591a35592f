// Benign look-alike: a release helper reads the two tokens it needs.
const npmToken = process.env.NPM_TOKEN, githubToken = process.env.GITHUB_TOKEN;
module.exports = () => fetch("https://api.github.com/repos/o/r/releases", { headers: { authorization: "token " + githubToken } }).then(() => npmToken);
