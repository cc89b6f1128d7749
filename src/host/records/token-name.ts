// The name a spawn token travels under in a spawned process's environment.
export const SPAWN_TOKEN_ENV = 'TEMPORAL_OPS_SPAWN_TOKEN';
