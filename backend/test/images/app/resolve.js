// DNS probe for isolation tests: exit 0 and print the addresses when NAME
// resolves, exit 1 when it does not. Usage: node resolve.js NAME
"use strict";
require("node:dns").lookup(process.argv[2], { all: true }, (err, addrs) => {
  if (err) {
    console.log(`unresolved ${err.code}`);
    process.exit(1);
  }
  console.log(addrs.map((a) => a.address).join(" "));
  process.exit(0);
});
