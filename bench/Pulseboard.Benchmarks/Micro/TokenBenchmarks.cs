using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Pulseboard.Server.Auth;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>
/// Finding a request's bearer token among three: the right one, one wrong in its first character, one wrong in its
/// last, and none. The times should be equal: the token is hashed and every known hash is compared in constant time,
/// so how much of a guess was right does not show.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class TokenBenchmarks
{
    private const string Right = "0123456789abcdef0123456789abcdef";
    private Tokens _tokens = null!;
    private HttpRequest _right = null!;
    private HttpRequest _wrongFirst = null!;
    private HttpRequest _wrongLast = null!;
    private HttpRequest _unrelated = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokens = Tokens.Parse($$"""
            [{"name":"a","token":"{{Right}}","dashboards":["*"]},
             {"name":"b","token":"ffffffffffffffffffffffffffffffff","dashboards":["costs"]},
             {"name":"c","token":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","read":true}]
            """, "bench");
        _right = Request(Right);
        _wrongFirst = Request("X" + Right[1..]);
        _wrongLast = Request(Right[..^1] + "X");
        _unrelated = Request("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    }

    private static HttpRequest Request(string token)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = $"Bearer {token}";
        return context.Request;
    }

    [Benchmark(Baseline = true)]
    public bool RightToken() => _tokens.Find(_right) is not null;

    [Benchmark]
    public bool WrongFirstCharacter() => _tokens.Find(_wrongFirst) is not null;

    [Benchmark]
    public bool WrongLastCharacter() => _tokens.Find(_wrongLast) is not null;

    [Benchmark]
    public bool Unrelated() => _tokens.Find(_unrelated) is not null;
}
