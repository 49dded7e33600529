import { accessSync, constants } from "node:fs";

// Browser tests drive the system's Chromium; say how to get it instead of failing obscurely.
const path = process.env.CHROME_PATH ?? "/usr/bin/chromium";
try {
  accessSync(path, constants.X_OK);
} catch {
  console.error(
    `No Chromium at ${path}. Install Debian's package (apt-get install -y chromium) or set CHROME_PATH to a Chrome/Chromium binary.`,
  );
  process.exit(1);
}
