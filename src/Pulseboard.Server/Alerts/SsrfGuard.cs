using System.Net;
using System.Net.Sockets;

namespace Pulseboard.Server.Alerts;

/// <summary>A notifier's address was refused by the SSRF guard (or could not be resolved); the message says which and why.</summary>
internal sealed class NotifierRefusedException(string message, bool unresolved = false) : Exception(message)
{
    /// <summary>The host name did not resolve (offline, or a typo) rather than resolving to a refused address.</summary>
    public bool Unresolved { get; } = unresolved;
}

/// <summary>
/// Keeps notices from reaching the inside of the network: a notifier's host is resolved and every address it resolves to
/// must be public, unless the notifier says <c>allow_private: true</c>. Refused: private (10/8, 172.16/12, 192.168/16,
/// 100.64/10, fc00::/7), loopback (127/8, ::1), link-local (169.254/16, fe80::/10), unspecified, 0/8, multicast and
/// broadcast, the special-purpose 192.0.0/24 and 198.18/15, and every IPv6 form that carries one of those IPv4
/// addresses: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64
/// (64:ff9b::/96; the local-use 64:ff9b:1::/48 is refused outright), 6to4 (2002::/16) and Teredo (2001::/32).
/// </summary>
/// <remarks>
/// The check and the connection use the same addresses (<see cref="NoticeSender"/> connects through
/// <see cref="ResolveAsync"/> in its ConnectCallback), so a name that resolves to a public address when checked and to
/// 127.0.0.1 a moment later (DNS rebinding) cannot slip through. Healthchecks' INTEGRATIONS_ALLOW_PRIVATE_IPS is the model.
/// </remarks>
internal static class SsrfGuard
{
    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public address.</summary>
    public static string? Refuses(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return Refuses(address.MapToIPv4()) is { } mapped ? $"an IPv4-mapped form of {mapped}" : null;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b switch
            {
                [0, 0, 0, 0] => "unspecified",
                [0, ..] => "unspecified (0.0.0.0/8)",
                [127, ..] => "loopback",
                [10, ..] => "private (10.0.0.0/8)",
                [172, >= 16 and <= 31, ..] => "private (172.16.0.0/12)",
                [192, 168, ..] => "private (192.168.0.0/16)",
                [100, >= 64 and <= 127, ..] => "private (100.64.0.0/10, carrier-grade NAT)",
                [169, 254, ..] => "link-local (169.254.0.0/16, where cloud metadata services answer)",
                [192, 0, 0, _] => "special-purpose (192.0.0.0/24)",
                [198, 18 or 19, ..] => "special-purpose (198.18.0.0/15, network benchmarking)",
                [>= 224, ..] => "multicast or reserved (224.0.0.0/3)",
                _ => null,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            if (address.Equals(IPAddress.IPv6Any))
            {
                return "unspecified";
            }
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "loopback";
            }
            if (b[..12].IndexOfAnyExcept((byte)0) < 0)
            {
                // ::a.b.c.d, the deprecated IPv4-compatible form: judge the IPv4 address inside.
                return Refuses(new IPAddress(b[12..])) is { } compatible ? $"an IPv4-compatible form of {compatible}" : null;
            }
            if (Embedded(b) is var (form, inner))
            {
                return Refuses(inner) is { } embedded ? $"{form} form of {embedded}" : null;
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
            {
                return "private (64:ff9b:1::/48, local-use NAT64)";
            }
            if ((b[0] & 0xfe) == 0xfc)
            {
                return "private (fc00::/7, unique local)";
            }
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            {
                return "link-local (fe80::/10)";
            }
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
            {
                return "site-local (fec0::/10)";
            }
            if (b[0] == 0xff)
            {
                return "multicast (ff00::/8)";
            }
            return null;
        }
        return "not an IP address";
    }

    /// <summary>The IPv4 address an IPv6 address carries by a translation or tunnelling scheme, with the scheme's name.</summary>
    private static (string Form, IPAddress Inner)? Embedded(ReadOnlySpan<byte> b)
    {
        if (b[..8].IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            return ("an IPv4-translated", new IPAddress(b[12..]));
        }
        if (b[..12].SequenceEqual((ReadOnlySpan<byte>)[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]))
        {
            return ("a NAT64", new IPAddress(b[12..]));
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ("a 6to4", new IPAddress(b[2..6]));
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
        {
            // Teredo: the client's IPv4 address is stored with every bit inverted.
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                client[i] = (byte)~b[12 + i];
            }
            return ("a Teredo", new IPAddress(client));
        }
        return null;
    }

    /// <summary>
    /// The addresses <paramref name="host"/> resolves to, each checked: throws when one is refused (and
    /// <paramref name="allowPrivate"/> is false) or when the name does not resolve.
    /// </summary>
    /// <exception cref="NotifierRefusedException">The host is refused or unknown; the message says why.</exception>
    public static async Task<IPAddress[]> ResolveAsync(string host, bool allowPrivate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new NotifierRefusedException($"{host} does not resolve ({ex.Message}); check the url's host name", unresolved: true);
            }
            if (addresses.Length == 0)
            {
                throw new NotifierRefusedException($"{host} resolves to no address; check the url's host name", unresolved: true);
            }
        }
        if (!allowPrivate)
        {
            foreach (var address in addresses)
            {
                if (Refuses(address) is { } why)
                {
                    var via = literal is null ? $"{host} resolves to {address}, which is" : $"{address} is";
                    throw new NotifierRefusedException(
                        $"{via} {why}: refused by the SSRF guard. Use a public address, or set allow_private: true on this notifier if it really is meant to reach the inside of your network");
                }
            }
        }
        return addresses;
    }
}
