import { ProvinceConfigError } from '#shared/config/load-province-config.ts';
import { createMotcuaApp } from './create-motcua-app.ts';

try {
  createMotcuaApp().app.synth();
} catch (error) {
  // A bad province file is the administrator's to fix: say where, without a stack trace.
  if (!(error instanceof ProvinceConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
