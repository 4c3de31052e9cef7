/**
 * The codemod's toolchain (ts-morph, diff) is an optional peer dependency: a user who only tracks
 * events does not install it. The commands that need it load their module through
 * {@link loadWithCodemodToolchain}, which turns "that package is not installed" into a
 * {@link CodemodToolchainMissing} the CLI reports with what to install.
 */

/** The packages the codemod and `coverage <dir>` need, with the majors this library supports. */
export const codemodToolchain = { "ts-morph": "28", diff: "9" } as const

export const codemodToolchainInstall = `npm i -D ${Object.entries(codemodToolchain)
  .map(([name, major]) => `${name}@${major}`)
  .join(" ")}`

export class CodemodToolchainMissing extends Error {
  constructor(readonly packageName: string) {
    super(
      `this command needs ${packageName}, which is not installed (the codemod's toolchain is an optional peer dependency). ` +
        `Install it in the project you run the command from: ${codemodToolchainInstall}`
    )
    this.name = "CodemodToolchainMissing"
  }
}

/** The toolchain package a failed import could not find, if that is why it failed. */
const missingToolchainPackage = (error: unknown): string | undefined => {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined
  const message = error instanceof Error ? error.message : ""
  return Object.keys(codemodToolchain).find((name) => message.includes(`'${name}'`) || message.includes(`"${name}"`))
}

/** Runs `load` (a dynamic import of a module that needs ts-morph or diff). */
export const loadWithCodemodToolchain = async <A>(load: () => Promise<A>): Promise<A> => {
  try {
    return await load()
  } catch (error) {
    const missing = missingToolchainPackage(error)
    if (missing !== undefined) throw new CodemodToolchainMissing(missing)
    throw error
  }
}
