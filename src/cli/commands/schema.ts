import { z } from 'zod';
import { playbookSchema } from '../../playbook/schema.js';
import { out } from '../output.js';

export async function schemaCommand(): Promise<number> {
  const schema = z.toJSONSchema(playbookSchema, { io: 'input', unrepresentable: 'any' });
  out(`${JSON.stringify({ ...schema, title: 'rollout playbook v1' }, null, 2)}\n`);
  return 0;
}
