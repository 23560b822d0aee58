// procdesc: the descriptor API. spawn() gives a Subprocess (pidfd, `exited`, kill through the
// pidfd, async disposal and iteration); open(pid) a handle on any process; capabilities() says
// which kernel features are in use. The node:child_process drop-in is procdesc/child_process.
//
// lib/ in layers, each importing only from the ones below it:
//   descriptor/  the descriptor API (Subprocess, open, lines, capabilities)
//   node/        the drop-in: the running Node's own child_process, with children made by us
//   core/        the addon, the session with its helper, the process state machine
export { capabilities, type Capabilities, type Feature } from './descriptor/capabilities';
export { open, ProcessDescriptor, type ProcessDescriptorEvents, type ProcessExit } from './descriptor/open';
export {
  spawn, Subprocess, type ResourceUsage, type SubprocessEvents, type SubprocessExit, type SubprocessOptions,
} from './descriptor/subprocess';
export {
  pipeline, Pipeline, PipelineError, runPipeline, type PipeFrom, type PipelineStage, type PipelineStageExit,
  type PipelineStageOptions,
} from './descriptor/pipeline';
