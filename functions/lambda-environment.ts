/**
 * A Lambda function's environment, as the Lambda entries read it (and only they): the variables
 * the stack sets, and the province configuration and national calendars that MotcuaFunction
 * compiles into the bundle (esbuild replaces the literals `process.env.MOTCUA_PROVINCE_CONFIG` and
 * `process.env.MOTCUA_NATIONAL_CALENDARS`; elsewhere they are variables).
 */
export function lambdaEnvironment(): Readonly<Record<string, string | undefined>> {
  return {
    ...process.env,
    MOTCUA_PROVINCE_CONFIG: process.env.MOTCUA_PROVINCE_CONFIG,
    MOTCUA_NATIONAL_CALENDARS: process.env.MOTCUA_NATIONAL_CALENDARS,
  };
}
