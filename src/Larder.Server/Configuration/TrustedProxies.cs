using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Larder.Server.Configuration;

/// <summary>
/// <c>Larder:TrustedProxies</c>: the reverse proxies (addresses or CIDR networks) whose <c>X-Forwarded-Proto</c>,
/// <c>X-Forwarded-Host</c> and <c>X-Forwarded-For</c> headers Larder believes, so that substituter URLs shown behind a
/// TLS proxy say <c>https://public-host/…</c>. Empty (the default): the headers are ignored, from anyone.
/// </summary>
public static class TrustedProxies
{
    /// <summary>
    /// The forwarded-headers options for <paramref name="entries"/>, or null when none is configured. Throws
    /// <see cref="LarderConfigurationException"/> naming an entry that is neither an IP address nor a network.
    /// </summary>
    public static ForwardedHeadersOptions? ToOptions(IReadOnlyCollection<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return null;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedFor,
        };
        // The framework trusts loopback by default; only what the operator lists is trusted here.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            var text = entry.Trim();
            if (text.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(text, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                throw new LarderConfigurationException(
                    $"invalid Larder:TrustedProxies entry '{entry}': expected an IP address (10.0.0.5) or a network (10.0.0.0/8)");
            }
        }
        return options;
    }
}
