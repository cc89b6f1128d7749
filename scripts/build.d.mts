// Types of scripts/build.mjs for the TypeScript that imports it.
export declare const distDir: string;
export declare function buildInputs(): string[];
export declare function buildDigest(): string;
export declare function distIsFresh(): boolean;
export declare function ensureDist(log?: (line: string) => void): Promise<boolean>;
