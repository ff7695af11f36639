// `vigil mcp tools` and `vigil mcp approve-tool`: the tool pins of MCP connections. A tool whose
// definition changed since it was pinned (or a new tool held) is refused until an admin approves
// what the upstream now serves; the approval is recorded in the ledger (admin.action, with the
// diff) and takes effect on every replica's next call to the tool (pin-store.ts).
// `vigil mcp instructions` and `vigil mcp approve-instructions` do the same for the pin of a
// server's instructions (instructions-pin.ts), which takes effect on the next initialize.
import type { ModuleCliContext, ModuleCommands } from '../module.js';
import { approveInstructions, type InstructionsPin, readInstructionsPin } from './instructions-pin.js';
import { approvePin, readPins, type ToolPin } from './pin-store.js';
import { diffDefinitions } from './tool-digest.js';

function statusOf(pin: ToolPin): string {
  if (!pin.approved) return 'held (new)';
  return pin.approved.digest === pin.seen.digest ? 'pinned' : 'changed';
}

export const mcpCommands: ModuleCommands = {
  register(program, ctx) {
    const mcp = program.command('mcp').description('MCP connections: tool pins');
    mcp
      .command('tools')
      .description('list the pinned tools of MCP connections and those awaiting approval')
      .option('--connection <name>', 'only this connection')
      .option('--json', 'print JSON')
      .action(async (opts: { connection?: string; json?: boolean }) => {
        const names = mcpConnectionNames(ctx, opts.connection);
        const pins = await ctx.withModuleState(async (state) =>
          (await Promise.all(names.map((name) => readPins(state, name)))).flat(),
        );
        if (opts.json) return printWithStatus(pins, statusOf);
        if (pins.length === 0) {
          console.log('no tools pinned yet');
          return;
        }
        console.log(
          ctx.table([
            ['CONNECTION', 'TOOL', 'STATUS', 'APPROVED DIGEST', 'SERVED DIGEST'],
            ...pins.map((p) => [
              p.connection,
              p.tool,
              statusOf(p),
              p.approved?.digest.slice(0, 16) ?? '-',
              p.seen.digest.slice(0, 16),
            ]),
          ]),
        );
        // The served definitions come from the upstream: printed as JSON strings, so they cannot redraw the terminal.
        for (const p of pins.filter((pin) => statusOf(pin) !== 'pinned')) {
          console.log(`\n${JSON.stringify(`${p.connection}/${p.tool}`)} (${p.seen.digest}):`);
          for (const d of diffDefinitions(p.approved?.definition ?? null, p.seen.definition)) {
            console.log(`  ${d.field}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`);
          }
        }
      });
    mcp
      .command('approve-tool <connection> <tool>')
      .description('approve the definition an MCP upstream now serves for a tool')
      .option('--digest <sha256>', 'approve only if the served definition has this digest')
      .action(async (connection: string, tool: string, opts: { digest?: string }) => {
        let before: ToolPin | undefined;
        let approved: ToolPin;
        try {
          [before, approved] = await ctx.withModuleState(async (state) => {
            const seen = (await readPins(state, connection)).find((p) => p.tool === tool);
            if (!seen) throw new Error(`no tool ${tool} has been seen on connection ${connection}`);
            return [seen, await approvePin(state, connection, tool, ctx.operator, opts.digest)] as const;
          });
        } catch (err) {
          ctx.setExitCode(1);
          console.error(`vigil: ${JSON.stringify((err as Error).message)}`);
          return;
        }
        await ctx.recordAdminAction({
          action: 'mcp.approve_tool',
          connection,
          tool,
          digest: approved.seen.digest,
          previous_digest: before.approved?.digest ?? null,
          diff: diffDefinitions(before.approved?.definition ?? null, approved.seen.definition).map((d) => ({
            field: d.field,
            before: d.before,
            after: d.after,
          })),
        });
        console.log(`approved ${JSON.stringify(`${connection}/${tool}`)} at digest ${approved.seen.digest}`);
      });
    mcp
      .command('instructions')
      .description('show the pinned server instructions of MCP connections and any changed since')
      .option('--connection <name>', 'only this connection')
      .option('--json', 'print JSON')
      .action(async (opts: { connection?: string; json?: boolean }) => {
        const names = mcpConnectionNames(ctx, opts.connection);
        const pins = await ctx.withModuleState(async (state) =>
          (await Promise.all(names.map((name) => readInstructionsPin(state, name)))).filter(
            (p): p is InstructionsPin => p !== null,
          ),
        );
        const status = (p: InstructionsPin) => (p.approved?.digest === p.seen.digest ? 'pinned' : 'changed');
        if (opts.json) return printWithStatus(pins, status);
        if (pins.length === 0) {
          console.log('no instructions pinned yet');
          return;
        }
        // Served text comes from the upstream: printed as JSON strings, so it cannot redraw the terminal.
        for (const p of pins) {
          console.log(`${JSON.stringify(p.connection)} ${status(p)} (${p.seen.digest})`);
          if (status(p) === 'pinned') continue;
          console.log(`  approved: ${JSON.stringify(p.approved?.definition.instructions ?? null)}`);
          console.log(`  served:   ${JSON.stringify(p.seen.definition.instructions ?? null)}`);
        }
      });
    mcp
      .command('approve-instructions <connection>')
      .description('approve the instructions an MCP upstream now serves')
      .option('--digest <sha256>', 'approve only if the served instructions have this digest')
      .action(async (connection: string, opts: { digest?: string }) => {
        let pins: { before: InstructionsPin; after: InstructionsPin };
        try {
          pins = await ctx.withModuleState((state) =>
            approveInstructions(state, connection, ctx.operator, opts.digest),
          );
        } catch (err) {
          ctx.setExitCode(1);
          console.error(`vigil: ${JSON.stringify((err as Error).message)}`);
          return;
        }
        await ctx.recordAdminAction({
          action: 'mcp.approve_instructions',
          connection,
          digest: pins.after.seen.digest,
          previous_digest: pins.before.approved?.digest ?? null,
          before: pins.before.approved?.definition.instructions ?? null,
          after: pins.after.seen.definition.instructions ?? null,
        });
        console.log(
          `approved the instructions of ${JSON.stringify(connection)} at digest ${pins.after.seen.digest}`,
        );
      });
  },
};

/** The MCP connections a listing covers: the one named, or every one configured. */
function mcpConnectionNames(ctx: ModuleCliContext, only?: string): string[] {
  return only
    ? [only]
    : ctx
        .config()
        .connections.filter((c) => c.type === 'mcp')
        .map((c) => c.name);
}

/** `--json`: each pin with its status. */
function printWithStatus<T extends object>(pins: readonly T[], status: (pin: T) => string): void {
  console.log(
    JSON.stringify(
      pins.map((p) => ({ ...p, status: status(p) })),
      null,
      2,
    ),
  );
}
