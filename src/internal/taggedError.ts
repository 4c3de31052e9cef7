import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"

/**
 * `Data.TaggedError`, with its type written out here rather than taken from the installed Effect.
 *
 * Why: a class that extends `Data.TaggedError(tag)<Fields>` gets a declaration whose base is the
 * type of that call, copied into the published `.d.ts` as the Effect used for the build spells
 * it. Effect 3.22 spells the constructor's argument `Types.VoidIfEmpty<...>`, which Effect 3.19
 * (the lowest the peer range admits) does not export: a consumer on 3.19 with `skipLibCheck:
 * false` got TS2694 on every such class. This type names only `Cause.YieldableError`, which every
 * Effect 3.x has. The argument is the fields (never `void`: every error class here has fields);
 * the runtime value is `Data.TaggedError` itself, hence the cast (for fields that are not empty,
 * both types take the same argument). `npm run test:peers` type-checks the built
 * declarations on the lowest and newest admitted Effect.
 */
export const TaggedError = Data.TaggedError as unknown as <Tag extends string>(
  tag: Tag
) => new <A extends Record<string, any> = {}>(args: {
  readonly [P in keyof A as P extends "_tag" ? never : P]: A[P]
}) => Cause.YieldableError & { readonly _tag: Tag } & Readonly<A>
