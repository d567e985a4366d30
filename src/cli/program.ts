import { Argument, Command, Option } from 'commander';
import { EXIT } from '../run/verdict.js';
import type { CommonOptions } from './options.js';
import { err } from './output.js';
import { readVersion } from '../session/version.js';
import { discoverPlaybook } from './discover.js';

/** Commands whose -p falls back to discovery (ROLLOUT_PLAYBOOK, rollout.yaml up to the git root). */
const discovering = new WeakSet<Command>();


function common(command: Command, options: { env: 'required' | 'optional' | 'none' } = { env: 'required' }): Command {
  command.option('-p, --playbook <file>', 'the playbook (default: $ROLLOUT_PLAYBOOK, else rollout.yaml, rollout.yml or .rollout/rollout.yaml here or in a parent folder up to the git root)');
  discovering.add(command);
  if (options.env === 'required') command.requiredOption('--env <name>', 'the environment (from environments:)');
  if (options.env === 'optional') command.option('--env <name>', 'also check that every value of this environment resolves');
  return command;
}

function runOptions(command: Command): Command {
  return command
    .option('--only <ids>', 'run only these nodes (comma-separated) and what they need; the run is partial')
    .option('--concurrency <n>', 'nodes running at once', '8')
    .addOption(new Option('--reporter <name>', 'tty (on a terminal), plain (otherwise), json, junit or markdown').choices(['tty', 'plain', 'json', 'junit', 'markdown']))
    .option('-o, --output <file>', 'write the report to this file: json, junit or markdown, from --reporter or the extension (.json, .xml, .md)')
    .option('--evidence-dir <dir>', 'where evidence files go: short for --evidence-store file:DIR (default ./evidence)')
    .option('--evidence-store <url>', 'where evidence is read and written: file:DIR, git+ssh://host/repo.git#branch (also ROLLOUT_EVIDENCE_STORE, or evidenceStore: in the environment)')
    .option('--sign-key <file>', 'sign an in-toto attestation beside the evidence with this OpenSSH ed25519 private key (also ROLLOUT_SIGN_KEY)')
    .option('--at <time>', 'evaluate time-based checks as of this instant (ISO 8601)')
    .option('--approve <id=name>', 'sign an approval node as NAME (repeatable)', (value: string, all: string[] = []) => [...all, value])
    .option('--approvals <file>', 'a YAML file of sign-offs: node-id: NAME, or node-id: { name, at }')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--metrics-file <file>', 'write the results as Prometheus metrics (node_exporter textfile format)')
    .option('--pushgateway <url>', 'push the results to a Prometheus Pushgateway (grouped by playbook, env, command)');
}

export async function runCli(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('rollout')
    .description('Release gates from a YAML playbook: readiness checks, cut-over stages, rollback triggers — with evidence.')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(rollout --help shows every command)')
    .exitOverride();
  program.configureOutput({ writeErr: (text) => err(text) });
  program.hook('preAction', (_program, action) => {
    if (!discovering.has(action) || action.getOptionValue('playbook') !== undefined) return;
    const found = discoverPlaybook();
    action.setOptionValue('playbook', found.file);
    action.setOptionValue('playbookFoundBy', found.how);
    if (found.how === 'parent folder' || found.how === 'ROLLOUT_PLAYBOOK') err(`playbook: ${found.file} (from ${found.how === 'parent folder' ? 'a parent folder' : '$ROLLOUT_PLAYBOOK'})\n`);
  });
  program.addHelpText('after', `
Examples:
  rollout validate -p playbooks/payments.yaml
  rollout check --env staging
  rollout check --env production --reporter json --output gate.json
  rollout check --env production -o gates.xml      # the report's format from its extension
  rollout rollback --env production --dry-run
  rollout evidence verify evidence/

Exit codes: 0 pass · 1 a blocking node failed · 2 invalid input or refused · 3 a blocking node errored · 4 a trigger fired (watch) · 130 interrupted`);

  common(program.command('validate'), { env: 'optional' })
    .description('check the playbook: structure, kinds, parameters, expressions, the DAG (nothing runs)')
    .addHelpText('after', '\nExample:\n  rollout validate -p rollout.yaml --env production')
    .action(async (opts: CommonOptions) => {
      code = await (await import('./commands/validate.js')).validateCommand(opts);
    });

  common(program.command('plan'))
    .description('print the DAG a command would run, by levels, with resolved parameters (secrets redacted)')
    .addOption(new Option('--for <command>', 'the command to plan').choices(['check', 'promote', 'rollback', 'watch']).default('check'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'mermaid']).default('text'))
    .option('--only <ids>', 'only these nodes and what they need')
    .addHelpText('after', '\nExample:\n  rollout plan --env staging --format mermaid')
    .action(async (opts: CommonOptions & { for: 'check'; format: 'text' }) => {
      code = await (await import('./commands/plan.js')).planCommand(opts);
    });

  runOptions(common(program.command('check')))
    .description('run the readiness gates of an environment')
    .option('--dry-run', 'run no mutating node')
    .addHelpText('after', '\nExamples:\n  rollout check --env staging\n  rollout check --env production --reporter junit --output gates.xml\n  rollout check --env staging --only db-version')
    .action(async (opts: CommonOptions) => {
      code = await (await import('./commands/check.js')).checkCommand(opts);
    });

  runOptions(common(program.command('promote')))
    .description('run the cut-over: top-level gates, then each stage (gates, steps, verify, onFailure, finally)')
    .option('--stage <id>', 'only this stage (after the top-level gates)')
    .option('--from <id>', 'start at this stage')
    .option('--dry-run', 'run no mutating node: show what would run, with every value resolved')
    .option('-y, --yes', 'confirm without a terminal (CI)')
    .addHelpText('after', '\nExamples:\n  rollout promote --env staging --dry-run\n  rollout promote --env production --yes --approve go=\"Ada Lovelace\"\n  rollout promote --env production --from traffic --yes')
    .action(async (opts: CommonOptions & { stage?: string; from?: string }) => {
      code = await (await import('./commands/promote.js')).promoteCommand(opts);
    });

  runOptions(common(program.command('rollback')))
    .description('roll back: with --dry-run, evaluate the triggers now and show the rollback resolved, changing nothing')
    .option('--dry-run', 'execute nothing mutating: triggers evaluated, steps checked runnable and shown resolved')
    .option('-y, --yes', 'confirm without a terminal (CI)')
    .addHelpText('after', '\nExamples:\n  rollout rollback --env production --dry-run\n  rollout rollback --env production --yes')
    .action(async (opts: CommonOptions) => {
      code = await (await import('./commands/rollback.js')).rollbackCommand(opts);
    });

  runOptions(common(program.command('watch')))
    .description('watch the rollback triggers for a while; exit 4 when one fires (and roll back with --rollback)')
    .option('--duration <d>', 'how long to watch', '15m')
    .option('--interval <d>', 'time between evaluations', '30s')
    .option('--rollback', 'run the rollback when a blocking trigger fires')
    .option('-y, --yes', 'confirm --rollback without a terminal (CI)')
    .addHelpText('after', '\nExamples:\n  rollout watch --env production --duration 15m\n  rollout watch --env production --duration 30m --interval 15s --rollback --yes\n\nExit: 0 quiet · 4 a trigger fired (also after a successful --rollback) · 1 the rollback failed · 3 triggers could not be evaluated')
    .action(async (opts: CommonOptions & { duration: string; interval: string; rollback?: boolean }) => {
      code = await (await import('./commands/watch.js')).watchCommand(opts);
    });

  program
    .command('checks [kind]')
    .description('list the check kinds, or show one kind: parameters, what it observes, default expect, outputs')
    .addHelpText('after', '\nExamples:\n  rollout checks\n  rollout checks exec')
    .action(async (kind: string | undefined) => {
      code = await (await import('./commands/checks.js')).checksCommand(kind);
    });

  const evidence = program.command('evidence').description('work with evidence files');
  evidence
    .command('verify [path]')
    .description('verify an evidence file (its digest), a folder, or a store (every file and each chain); with --trusted-keys, every attestation too')
    .option('--evidence-store <url>', 'verify this store: file:DIR or git+…#branch (also ROLLOUT_EVIDENCE_STORE)')
    .option('--evidence-dir <dir>', 'short for --evidence-store file:DIR')
    .option('--trusted-keys <file>', 'also check every attestation against these keys (OpenSSH allowed_signers format)')
    .addHelpText('after', '\nExamples:\n  rollout evidence verify evidence/production\n  rollout evidence verify --evidence-store git+ssh://git@example.com/evidence.git#main\n  rollout evidence verify evidence/ --trusted-keys .rollout/allowed_signers')
    .action(async (path: string | undefined, opts: { evidenceStore?: string; evidenceDir?: string; trustedKeys?: string }) => {
      code = await (await import('./commands/evidence.js')).verifyCommand(path, opts);
    });
  evidence
    .command('push')
    .description('upload the evidence kept in ./.rollout/spool/ (when the store could not be written) to the store')
    .option('--evidence-store <url>', 'the store: file:DIR or git+…#branch (also ROLLOUT_EVIDENCE_STORE)')
    .option('--evidence-dir <dir>', 'short for --evidence-store file:DIR')
    .option('--spool <dir>', 'the spool folder', '.rollout/spool')
    .addHelpText('after', '\nExample:\n  rollout evidence push --evidence-store git+ssh://git@example.com/evidence.git#main')
    .action(async (opts: { evidenceStore?: string; evidenceDir?: string; spool: string }) => {
      code = await (await import('./commands/evidence.js')).pushCommand(opts);
    });
  evidence
    .command('html <store>')
    .description('write the evidence of a folder or store (file:DIR) as a static, self-contained HTML site')
    .option('--output <dir>', 'where the site goes (index.html and one page per run)')
    .option('--trusted-keys <file>', 'check each run\'s attestation against these keys (OpenSSH allowed_signers); without it a signature shows as not verified')
    .addHelpText('after', '\nExamples:\n  rollout evidence html evidence/ --output site/\n  rollout evidence html evidence/ --output site/ --trusted-keys .rollout/allowed_signers')
    .action(async (store: string, options: { output?: string; trustedKeys?: string }) => {
      code = await (await import('./commands/evidence.js')).htmlCommand(store, options);
    });

  program
    .command('serve')
    .description('answer gate questions over HTTP (Argo Rollouts, Flagger, Kargo, GitHub environments); never mutates')
    .requiredOption('--playbooks <dir>', 'folder of playbooks (*.yaml), validated at start and on SIGHUP')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--token-file <file>', 'bearer tokens: TOKEN or NAME TOKEN per line, # comments; re-read when it changes')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this private key (PEM)')
    .option('--max-runs <n>', 'runs at once', '4')
    .option('--max-queued <n>', 'runs waiting beyond --max-runs before 429', '32')
    .option('--request-timeout <d>', 'a run past this is error (never a pass)', '60s')
    .option('--shutdown-grace <d>', 'on SIGTERM, how long runs may finish', '30s')
    .option('--evidence-dir <dir>', 'where evidence files go: short for --evidence-store file:DIR (default ./evidence)')
    .option('--evidence-store <url>', 'where evidence is read and written: file:DIR, git+ssh://host/repo.git#branch (also ROLLOUT_EVIDENCE_STORE, or evidenceStore: in the environment)')
    .option('--github-webhook-secret-file <file>', 'secret of the GitHub deployment_protection_rule webhook (HMAC)')
    .option('--github-token-file <file>', 'token for GitHub deployment review callbacks')
    .addHelpText('after', '\nExample:\n  rollout serve --listen 0.0.0.0:8080 --playbooks playbooks/ --token-file /etc/rollout/tokens\n  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/v1/gates/payments-api/staging')
    .action(async (opts) => {
      code = await (await import('./commands/serve.js')).serveCommand(opts);
    });

  program
    .command('schema')
    .description('print the JSON Schema of playbooks, for editors')
    .addHelpText('after', '\nExample:\n  rollout schema > rollout.schema.json')
    .action(async () => {
      code = await (await import('./commands/schema.js')).schemaCommand();
    });

  program
    .command('init')
    .description('write a commented starter playbook that validates (never overwrites), or convert a Markdown runbook')
    .option('-p, --playbook <file>', 'the file to write', 'rollout.yaml')
    .option('--from <runbook.md>', 'convert this Markdown go-live checklist instead (as rollout import runbook)')
    .option('--with <systems>', 'systems to start with, comma-separated: kubernetes,prometheus,postgres')
    .option('--env <names>', 'environments, comma-separated', 'staging,production')
    .addHelpText('after', '\nExamples:\n  rollout init --with postgres,prometheus\n  rollout init --from docs/go-live.md')
    .action(async (opts) => {
      code = await (await import('./commands/init.js')).initCommand(opts);
    });

  const importing = program.command('import').description('turn a document you already have into playbook YAML');
  importing
    .command('runbook <file>')
    .alias('checklist')
    .description('Markdown go-live checklist → playbook: every `- [ ]` or numbered item one node, machine-checkable ones as their kind, the rest approvals; rollback conditions as triggers')
    .option('--write <file>', 'write the playbook to this file (never overwrites) instead of stdout')
    .addHelpText('after', '\nExample:\n  rollout import runbook docs/go-live.md > rollout.yaml && rollout validate')
    .action(async (file: string, opts: { write?: string }) => {
      code = await (await import('./commands/import-runbook.js')).importRunbookCommand(file, opts);
    });

  program
    .command('completion')
    .description('print a shell completion script: commands, flags, --env values from the playbook, kinds')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', '\nExamples:\n  source <(rollout completion bash)     # in ~/.bashrc\n  source <(rollout completion zsh)      # in ~/.zshrc\n  rollout completion fish > ~/.config/fish/completions/rollout.fish')
    .action(async (shell: string) => {
      code = await (await import('./commands/completion.js')).completionCommand(shell, program);
    });

  program
    .command('__complete <what>', { hidden: true })
    .option('-p, --playbook <file>')
    .action(async (what: string, opts: { playbook?: string }) => {
      code = await (await import('./commands/completion.js')).completeWordsCommand(what, opts);
    });

  importing
    .command('slo <file>')
    .description('OpenSLO v1 or Sloth prometheus/v1 SLOs → burn-rate and error-budget gates (printed, or --write PLAYBOOK)')
    .option('--write <playbook>', 'add the gates to this playbook (refuses duplicate ids)')
    .option('--min-budget <fraction>', 'the error budget the budget gate requires left (default 0)')
    .addHelpText('after', '\nExample:\n  rollout import slo slos/payments.yaml --write rollout.yaml')
    .action(async (file: string, opts: { write?: string; minBudget?: string }) => {
      code = await (await import('./commands/import-slo.js')).importSloCommand(file, opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string; stack?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander has printed its own message (unknown flag, missing argument): invalid input.
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return EXIT.invalid;
    // Anything else is a bug surfacing after commander: never silent, and never the
    // "nothing ran" code, since a run may have happened.
    err(`internal error: ${e.message ?? String(error)}\n${process.env.ROLLOUT_DEBUG ? `${e.stack ?? ''}\n` : ''}this is a bug in rollout; any evidence written is named above.\n`);
    return EXIT.error;
  }
  return code;
}
