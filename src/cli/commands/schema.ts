import { registry } from '../../../checks/index.js';
import { buildPlaybookJsonSchema } from '../../playbook/json-schema.js';
import { out } from '../output.js';

export async function schemaCommand(): Promise<number> {
  const kinds = await Promise.all(Object.values(registry.kinds).map((load) => load()));
  const systems = await Promise.all(Object.values(registry.systems).map((load) => load()));
  out(`${JSON.stringify(buildPlaybookJsonSchema(kinds, systems), null, 2)}\n`);
  return 0;
}
