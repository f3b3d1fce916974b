// bench/attendance.mjs runs the app with gu's defaults (access log off), not the app's gu.config.ts.
export default {}
