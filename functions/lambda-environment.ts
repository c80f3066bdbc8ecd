/**
 * A Lambda function's environment, as the Lambda entries read it (and only they): the variables
 * the stack sets, and the province configuration that MotcuaFunction compiles into the bundle
 * (esbuild replaces the literal `process.env.MOTCUA_PROVINCE_CONFIG`; elsewhere it is a variable).
 */
export function lambdaEnvironment(): Readonly<Record<string, string | undefined>> {
  return { ...process.env, MOTCUA_PROVINCE_CONFIG: process.env.MOTCUA_PROVINCE_CONFIG };
}
