using Pulseboard.Cli;

return await PulseboardCommand.RunAsync(args).ConfigureAwait(false);
