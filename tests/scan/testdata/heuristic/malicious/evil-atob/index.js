// Defanged sample: decoded-payload execution. The payload only logs.
'use strict';
module.exports = function init() {
  eval(atob("Y29uc29sZS5sb2coJ2RlZmFuZ2VkIHNhbXBsZScp"));
};
