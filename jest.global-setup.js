// The library reads the functions' prebuilt zips (shipped in the npm package);
// in a checkout they are built here when missing or older than their sources.
module.exports = async function globalSetup() {
  require("sucrase/register/ts");
  const { ensurePrebuilt } = require("./functions/build.ts");
  const rebuilt = ensurePrebuilt();
  if (rebuilt.length > 0) process.stdout.write(`\nbuilt prebuilt functions: ${rebuilt.join(", ")}\n`);
};
