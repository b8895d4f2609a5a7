import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '@nws/engine';
import { isValidBody, mintToken } from '@nws/auth';
import { existsSync } from 'node:fs';
import { dataDirOf, isProduction, loadRuntimeConfig } from '@nws/runtime';
import { EXIT } from './commands/exit-codes';
import { ORGANIZATION_KINDS } from '@nws/workflows/connection-application';

/**
 * `npm run -s token -- --sub <person> --org <body> --role <role>` prints a bearer token and
 * nothing else, signed with the secret the API uses (JWT_SECRET, or the development secret of
 * DATA_DIR), so a script can do `TOKEN=$(npm run -s token -- …)`.
 */
export async function runTokenCli(argv: readonly string[]): Promise<number> {
  const program = new Command('token')
    .description('Mint a bearer token (JWT, HS256) for the API')
    .requiredOption('--sub <person>', 'the person (token subject)')
    .requiredOption('--org <body>', '6-digit 全国地方公共団体コード (e.g. 132012 八王子市, 130001 東京都), J-LIS or MIC', (value: string) => {
      if (!isValidBody(value)) throw new InvalidArgumentError('must be a 6-digit local government code with a valid check digit, J-LIS or MIC');
      return value;
    })
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, (value: string) => {
      if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
      return value;
    })
    .option('--organ <organ>', '機関種類 where one code holds several organs, e.g. 市町村教育委員会 (default: the code\'s head department)', (value: string) => {
      // A token for an organ that is not one would be refused every action, with no hint why.
      if (!(ORGANIZATION_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${ORGANIZATION_KINDS.join(', ')}`);
      return value;
    })
    .option('--name <name>', 'display name recorded on reviews (氏名)')
    .option('--department <department>', 'department recorded on reviews (部署名)')
    .option('--expires-in <span>', 'lifetime, e.g. 30m, 8h, 2d', (value: string) => {
      if (!/^\d+\s*[smhd]$/.test(value)) throw new InvalidArgumentError('must look like 30m, 8h or 2d');
      return value;
    }, '8h')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const options = program.opts<{ sub: string; org: string; role: Role; organ?: string; name?: string; department?: string; expiresIn: string }>();
  const missing = missingDataDir(process.env);
  if (missing !== undefined) {
    process.stderr.write(`${missing}\n`);
    return EXIT.notFound;
  }
  const config = loadRuntimeConfig();
  const token = await mintToken(
    { sub: options.sub, org: options.org, role: options.role, ...(options.organ ? { organ: options.organ } : {}), ...(options.name ? { name: options.name } : {}), ...(options.department ? { department: options.department } : {}) },
    config.jwt,
    { expiresIn: options.expiresIn },
  );
  process.stdout.write(`${token}\n`);
  return 0;
}

/**
 * Without JWT_SECRET (or a public key) the token is signed with the development secret of
 * DATA_DIR, which the API creates there at its first start. A DATA_DIR that does not exist is not
 * the API's: a secret made there signs tokens the API refuses (401), so it is refused as every
 * other command refuses a DATA_DIR without a store (exit 3), and nothing is created.
 */
function missingDataDir(env: NodeJS.ProcessEnv): string | undefined {
  const signedWithDevelopmentSecret = !env['JWT_SECRET'] && !env['JWT_PUBLIC_KEY'] && !env['JWT_JWKS_URL'] && !isProduction(env);
  const dataDir = dataDirOf(env);
  if (!signedWithDevelopmentSecret || existsSync(dataDir)) return undefined;
  return (
    `DATA_DIR ${dataDir} が存在しません。JWT_SECRET がないとき、トークンは API が DATA_DIR に作る開発用シークレットで署名します。API と同じ DATA_DIR を指定する（npm start が初回起動時に作ります）か、JWT_SECRET を設定してください。何も作成していません / ` +
    `DATA_DIR ${dataDir} does not exist: without JWT_SECRET a token is signed with the development secret the API keeps in its DATA_DIR (npm start creates it at its first start); set DATA_DIR to the API's, or set JWT_SECRET; nothing was created`
  );
}

if (require.main === module) {
  runTokenCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
