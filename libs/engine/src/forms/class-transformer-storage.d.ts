// class-transformer ships the types of its metadata storage but no declaration beside the CommonJS
// file that holds the instance; class-validator-jsonschema imports the same path.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
