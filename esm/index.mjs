// ESM face of procdesc: the CommonJS module itself, so that import and require share one instance.
import cjs from '../dist/lib/index.js';

export const {
  capabilities, open, Pipeline, PipelineError, pipeline, ProcessDescriptor, runPipeline, spawn, Subprocess,
} = cjs;
export default cjs;
