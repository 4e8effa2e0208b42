#!/usr/bin/env node
import "../dist/hd-setup.mjs";
