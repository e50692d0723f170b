// health.get (the Health page, `switchboard health`) and health.metricsToken (the token that opens
// /metrics: its SHA-256 goes to settings.observability.metricsTokenSha256, the value only to the caller).
import { createHash, randomBytes } from 'node:crypto';
import type { healthContract, HealthReport } from '../../shared/api/health.ts';
import type { Handlers } from '../../shared/api/define.ts';
import type { ConfigService } from '../config/config-service.ts';

export interface HealthHandlerDeps {
  report: (windowMs?: number) => HealthReport;
  config: Pick<ConfigService, 'update'>;
}

export function createHealthHandlers(deps: HealthHandlerDeps): Handlers<typeof healthContract> {
  return {
    'health.get': async ({ windowMs }) => deps.report(windowMs),
    'health.metricsToken': async () => {
      const token = `sbm_${randomBytes(32).toString('base64url')}`;
      await deps.config.update((config) => {
        config.settings.observability = { ...config.settings.observability, metricsTokenSha256: createHash('sha256').update(token).digest('hex') };
      });
      return { token };
    },
  };
}
