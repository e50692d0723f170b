// The packaged app binary runs the `switchboard` CLI instead of the desktop app when this is its
// first argument: the runAsNode fuse is off, so ELECTRON_RUN_AS_NODE cannot (main/app/cli-mode.ts).
export const PACKAGED_CLI_FLAG = '--switchboard-cli';
