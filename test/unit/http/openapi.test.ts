import { expect } from 'chai';
import { createRouter } from '../../../src/http/app.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { openApiDocument } from '../../../src/http/openapi.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { createTestDb } from '../../helpers/db.js';

describe('OpenAPI document', () => {
  it('describes exactly the routes the router serves', async () => {
    const { db, close } = await createTestDb();
    try {
      const deps = { db, version: '1.0.0', metrics: createMetrics(db) } as unknown as AppDeps;
      const routes = createRouter(deps)
        .stack.flatMap((layer) =>
          layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
        )
        .sort();
      const paths = openApiDocument('1.0.0').paths as Record<string, Record<string, unknown>>;
      const documented = Object.entries(paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      expect(documented).to.deep.equal(routes);
      expect(routes).to.include.members(['GET /health', 'GET /jobs', 'POST /jobs/{id}/retry', 'GET /metrics']);
    } finally {
      await close();
    }
  });
});
