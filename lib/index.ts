// procdesc: the descriptor API. spawn() gives a Subprocess (pidfd, `exited`, kill through the
// pidfd, async disposal and iteration); open(pid) a handle on any process; capabilities() says
// which kernel features are in use. The node:child_process drop-in is procdesc/child_process.
export { capabilities, type Capabilities, type Feature } from './capabilities';
export { open, ProcessDescriptor, type ProcessDescriptorEvents, type ProcessExit } from './open';
export {
  spawn, Subprocess, type ResourceUsage, type SubprocessEvents, type SubprocessExit, type SubprocessOptions,
} from './subprocess';
