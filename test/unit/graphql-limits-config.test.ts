import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('GraphQL limit settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}).graphqlLimits).toEqual({
      maxDepth: 10,
      maxAliases: 30,
      maxTokens: 2000,
      maxDirectives: 20,
      maxCost: 20_000,
      maxResponseBytes: 4_194_304,
    });
  });

  it('reads every GRAPHQL_MAX_* variable', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '12',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_TOKENS: '900',
      GRAPHQL_MAX_DIRECTIVES: '3',
      GRAPHQL_MAX_COST: '1000',
      GRAPHQL_MAX_RESPONSE_BYTES: '100000',
    });
    expect(config.graphqlLimits).toEqual({
      maxDepth: 12,
      maxAliases: 5,
      maxTokens: 900,
      maxDirectives: 3,
      maxCost: 1000,
      maxResponseBytes: 100_000,
    });
  });

  it('reports every bad value at once, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ GRAPHQL_MAX_DEPTH: 'deep', GRAPHQL_MAX_COST: '5', GRAPHQL_MAX_RESPONSE_BYTES: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/GRAPHQL_MAX_DEPTH: must be a whole number/);
    expect(problems).toMatch(/GRAPHQL_MAX_COST:/);
    expect(problems).toMatch(/GRAPHQL_MAX_RESPONSE_BYTES: must be a whole number/);
  });
});
