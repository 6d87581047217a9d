import fs from 'node:fs';
import http from 'node:http';

/**
 * Whether a Docker engine answers (not just whether the docker command
 * exists): a GET /_ping on DOCKER_HOST's unix socket or the default one.
 */
export async function dockerEngineAnswers(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const options: http.RequestOptions = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : {
        host: new URL(host.replace(/^tcp:/, 'http:')).hostname,
        port: new URL(host.replace(/^tcp:/, 'http:')).port,
      };
  if (options.socketPath && !fs.existsSync(options.socketPath)) return false;

  return new Promise((resolve) => {
    const request = http.get({ ...options, path: '/_ping', timeout: 1_500 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Which infrastructure the integration tests run on: LLMCOST_TEST_INFRA, else detected. */
export async function chooseTestInfra(env: NodeJS.ProcessEnv): Promise<'local' | 'docker'> {
  const forced = env.LLMCOST_TEST_INFRA;
  if (forced !== undefined && forced !== 'local' && forced !== 'docker') {
    throw new Error(`LLMCOST_TEST_INFRA must be 'local' or 'docker', not '${forced}'`);
  }
  const engine = await dockerEngineAnswers(env);
  if (forced === 'docker' && !engine) {
    throw new Error(
      'LLMCOST_TEST_INFRA=docker, but no Docker engine answers at ' +
        `${env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}; ` +
        'start one, or use LLMCOST_TEST_INFRA=local',
    );
  }
  return forced ?? (engine ? 'docker' : 'local');
}
