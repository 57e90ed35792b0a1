/** `--name value` or `--name=value` from a benchmark's arguments. */
export function flag(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes("=") ? args[i]!.split("=")[1] : args[i + 1];
}
