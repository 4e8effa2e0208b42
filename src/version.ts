declare const __HD_VERSION__: string | undefined;
export const VERSION: string = typeof __HD_VERSION__ === 'string' ? __HD_VERSION__ : '0.0.0-dev';
