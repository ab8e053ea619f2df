#!/usr/bin/env node
// The CLI runs from the compiled output; `npm run build` produces it.
import "../dist/cli/main.js";
