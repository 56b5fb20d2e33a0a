namespace Pulseboard.Server.Hosting;

/// <summary><c>&lt;data&gt;/server.json</c>: where a running server listens, so <c>emit</c> and the SDK can find it.</summary>
/// <param name="Url">The address it listens on.</param>
/// <param name="Pid">Its process id.</param>
internal sealed record ServerInfo(string Url, int Pid);
