import type { z } from "zod";
import type { Problem } from "../shared/problems";

// Adapters from the constructs' validators (zod-free, in the constructs'
// modules) to zod refinements, so the schema reports the same rule at the
// configuration field's path instead of keeping its own copy of it.

/** Adds each problem as an issue at its path below the refined value. */
export function addProblems(ctx: z.RefinementCtx, problems: readonly Problem[]): void {
  for (const p of problems) ctx.addIssue({ code: "custom", path: [...p.path], message: p.message });
}

/** A `superRefine` callback from a check that returns a message or undefined. */
export function checkWith<T>(check: (value: T) => string | undefined): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => {
    const message = check(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message });
  };
}

/** A `superRefine` callback from a validator that returns problems. */
export function problemsWith<T>(validate: (value: T) => readonly Problem[]): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => addProblems(ctx, validate(value));
}
