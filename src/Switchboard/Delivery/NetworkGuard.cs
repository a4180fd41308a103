using System.Net;
using System.Net.Sockets;

namespace Switchboard.Delivery;

/// <summary>A callback URL whose host resolves to an address Switchboard must not reach.</summary>
internal sealed class BlockedAddressException(string host, IPAddress address)
    : IOException($"{host} resolves to {address}, a loopback, private, link-local, multicast or unspecified address")
{
    public string Host { get; } = host;

    public IPAddress Address { get; } = address;
}

/// <summary>
/// Server-side request forgery guard (delivery.md, HTTP and HTTPS callbacks): callback
/// requests may reach only public addresses, checked after DNS resolution at connect time so a
/// name that later resolves elsewhere is caught too. <c>Delivery:AllowPrivateNetworks</c> lifts it.
/// </summary>
internal static class NetworkGuard
{
    /// <summary>
    /// The handler for every callback request: the guard in <see cref="SocketsHttpHandler.ConnectCallback"/>,
    /// no redirects (a 3xx is a failure), no cookies, no proxy (a proxy would connect for us, unchecked).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivateNetworks) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivateNetworks, cancellationToken),
    };

    /// <summary>True for an address on the public internet.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsPublicV4(address.GetAddressBytes());
        }
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return false;
        }
        var bytes = address.GetAddressBytes();
        // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) carry an IPv4 address that is what gets reached.
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublicV4(bytes[12..16]);
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsPublicV4(bytes[2..6]);
        }
        // ::/96 (IPv4-compatible, deprecated) and the rest of ::/8 are not routable.
        return bytes[0] != 0;
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] is 0 or 10 or 127 or >= 224 // "this network", private, loopback, multicast and reserved
        || (b[0] == 100 && b[1] is >= 64 and < 128) // carrier-grade NAT
        || (b[0] == 169 && b[1] == 254) // link-local (and cloud metadata)
        || (b[0] == 172 && b[1] is >= 16 and < 32)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
        || (b[0] == 198 && b[1] is 18 or 19)); // benchmarking

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        if (!allowPrivateNetworks && addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked)
        {
            // Any private answer refuses the host: mixing one in is how DNS rebinding tries its luck.
            throw new BlockedAddressException(endPoint.Host, blocked);
        }
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
