using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard silence add|list|remove</c>: silences on a running server (found through <c>&lt;data&gt;/server.json</c>,
/// as <c>emit</c> finds it, or given with <c>--server</c>), through <c>/api/silences</c>.
/// </summary>
internal static class SilenceCommand
{
    public static Command Create(Option<string> data)
    {
        var server = new Option<string?>("--server") { Description = "The server's address; default: the one running on --data", Recursive = true };
        var token = new Option<string?>("--token") { Description = "Bearer token for a server that has tokens (or set PULSEBOARD_TOKEN)", Recursive = true };
        var alert = new Option<string?>("--alert") { Description = "The alert's name (a glob)" };
        var dashboard = new Option<string?>("--dashboard") { Description = "The dashboard (a glob)" };
        var label = new Option<string[]>("--label") { Description = "NAME=VALUE (a glob), e.g. source=llama-3; repeatable", AllowMultipleArgumentsPerToken = false };
        var duration = new Option<string?>("--for") { Description = "How long, e.g. 2h (or --until)" };
        var until = new Option<string?>("--until") { Description = "Until when, RFC 3339 (or --for)" };
        var comment = new Option<string?>("--comment") { Description = "Why, for the list" };
        var add = new Command("add", "Silence the alerts that match; they are still shown, marked, but nobody is notified") { alert, dashboard, label, duration, until, comment };
        var list = new Command("list", "List the active silences");
        var id = new Argument<string>("id") { Description = "The silence's id, as add and list print it" };
        var remove = new Command("remove", "Remove a silence") { id };
        var command = new Command("silence", "Add, list or remove silences on a running server") { server, token, add, list, remove };

        add.SetAction(async (parsed, cancellationToken) =>
        {
            var body = new Dictionary<string, object?>();
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parsed.GetValue(label) ?? [])
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    await Console.Error.WriteLineAsync($"pulseboard silence add: --label {pair}: write NAME=VALUE, e.g. --label source=llama-3").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                labels[pair[..at]] = pair[(at + 1)..];
            }
            using var json = new MemoryStream();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                Write(writer, "alert", parsed.GetValue(alert));
                Write(writer, "dashboard", parsed.GetValue(dashboard));
                if (labels.Count > 0)
                {
                    writer.WriteStartObject("labels");
                    foreach (var (name, value) in labels)
                    {
                        writer.WriteString(name, value);
                    }
                    writer.WriteEndObject();
                }
                Write(writer, "duration", parsed.GetValue(duration));
                Write(writer, "endsAt", parsed.GetValue(until));
                Write(writer, "comment", parsed.GetValue(comment));
                writer.WriteEndObject();
            }
            return await SendAsync(parsed, data, server, token, "add", HttpMethod.Post, "/api/silences", Encoding.UTF8.GetString(json.ToArray()), cancellationToken).ConfigureAwait(false);
        });
        list.SetAction((parsed, cancellationToken) => SendAsync(parsed, data, server, token, "list", HttpMethod.Get, "/api/silences", null, cancellationToken));
        remove.SetAction((parsed, cancellationToken) =>
            SendAsync(parsed, data, server, token, "remove", HttpMethod.Delete, "/api/silences/" + Uri.EscapeDataString(parsed.GetValue(id)!), null, cancellationToken));
        return command;
    }

    private static void Write(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static async Task<int> SendAsync(ParseResult parsed, Option<string> data, Option<string?> server, Option<string?> token, string verb, HttpMethod method, string path, string? body, CancellationToken cancellationToken)
    {
        var address = parsed.GetValue(server) is { } given ? (Uri.TryCreate(given, UriKind.Absolute, out var uri) ? uri : null) : Pulseboard.Client.HttpTransportOptions.FindServer(parsed.GetValue(data)!);
        if (address is null)
        {
            await Console.Error.WriteLineAsync(parsed.GetValue(server) is { } bad
                ? $"pulseboard silence {verb}: --server {bad} is not an address like http://127.0.0.1:5080"
                : $"pulseboard silence {verb}: no server is running on {parsed.GetValue(data)} (no live {Path.Combine(parsed.GetValue(data)!, "server.json")}); start pulseboard serve, or give --server URL").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path);
        if ((parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("PULSEBOARD_TOKEN")) is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var detail = text;
                try
                {
                    using var problem = JsonDocument.Parse(text);
                    detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
                }
                catch (JsonException)
                {
                    // not problem details: the body as it came
                }
                await Console.Error.WriteLineAsync($"pulseboard silence {verb}: {(int)response.StatusCode} {detail}").ConfigureAwait(false);
                return response.StatusCode == System.Net.HttpStatusCode.BadRequest ? ExitCodes.BadInput : ExitCodes.Failed;
            }
            Print(verb, text);
            return ExitCodes.Ok;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"pulseboard silence {verb}: the server at {address} did not answer: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    private static void Print(string verb, string json)
    {
        if (verb == "remove")
        {
            Console.WriteLine("removed");
            return;
        }
        using var document = JsonDocument.Parse(json);
        var silences = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
        if (silences.Count == 0)
        {
            Console.WriteLine("no active silences");
        }
        foreach (var s in silences)
        {
            var matchers = new List<string>();
            foreach (var key in new[] { "alert", "dashboard" })
            {
                if (s.TryGetProperty(key, out var v))
                {
                    matchers.Add($"{key}={v.GetString()}");
                }
            }
            if (s.TryGetProperty("labels", out var labels))
            {
                matchers.AddRange(labels.EnumerateObject().Select(l => $"{l.Name}={l.Value.GetString()}"));
            }
            var comment = s.TryGetProperty("comment", out var c) ? $"  # {c.GetString()}" : "";
            Console.WriteLine($"{s.GetProperty("id").GetString()}  {string.Join(" ", matchers)}  until {s.GetProperty("endsAt").GetString()}{comment}");
        }
    }
}
