// Types of scripts/gen-lite-descriptor.mjs for the TypeScript that imports it.
export declare const descriptorPath: string;
export declare const LITE_METHODS: string[];
export declare const LITE_ENUMS: string[];
export declare const TRIM: Record<string, string[]>;
export declare function liteDescriptorJson(full?: unknown): Record<string, unknown>;
export declare function liteDescriptorSource(full?: unknown): Promise<string>;
