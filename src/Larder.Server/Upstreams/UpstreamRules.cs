using Larder.Nix.Signing;
using Larder.Server.Errors;

namespace Larder.Server.Upstreams;

/// <summary>Validation of a cache's upstream settings; each failure is a 400 naming the problem.</summary>
public static class UpstreamRules
{
    /// <summary>Most upstream URLs a cache may have (each narinfo miss asks all of them).</summary>
    public const int MaxUrls = 8;

    /// <summary>
    /// <paramref name="current"/> with the settings given (null: unchanged), validated: URLs are absolute http(s)
    /// without query, fragment or credentials (trailing '/' dropped), keys are Nix public keys, and URLs need a key.
    /// </summary>
    public static CacheUpstreams Apply(CacheUpstreams current, IReadOnlyList<string>? urls, IReadOnlyList<string>? keys, string? mode)
    {
        ArgumentNullException.ThrowIfNull(current);
        var result = new CacheUpstreams(
            urls is null ? current.Urls : ValidateUrls(urls),
            keys is null ? current.PublicKeys : ValidateKeys(keys),
            mode is null ? current.Mode : CacheUpstreams.TryParseMode(mode) ?? throw Bad($"invalid upstream mode '{mode}': use 'store' or 'proxy'"));
        if (result.Urls.Count > 0 && result.PublicKeys.Count == 0)
        {
            throw Bad("upstream URLs need at least one upstream public key (name:base64) to verify their narinfos");
        }
        return result;
    }

    /// <summary>The names of <paramref name="upstreams"/>' public keys added to <paramref name="keyNames"/> (push skips paths they signed).</summary>
    public static IReadOnlyList<string> WithKeyNames(IReadOnlyList<string> keyNames, CacheUpstreams upstreams)
    {
        ArgumentNullException.ThrowIfNull(keyNames);
        ArgumentNullException.ThrowIfNull(upstreams);
        return [.. keyNames.Concat(upstreams.PublicKeys.Select(k => PublicKey.Parse(k).Name)).Distinct(StringComparer.Ordinal)];
    }

    private static IReadOnlyList<string> ValidateUrls(IReadOnlyList<string> urls)
    {
        if (urls.Count > MaxUrls)
        {
            throw Bad($"too many upstream URLs ({urls.Count}): at most {MaxUrls}");
        }
        var valid = new List<string>(urls.Count);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw Bad($"invalid upstream URL '{url}': expected an absolute http:// or https:// URL such as https://cache.nixos.org");
            }
            if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                throw Bad($"invalid upstream URL '{url}': it must not have a query, a fragment or credentials");
            }
            var normalized = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            if (!valid.Contains(normalized, StringComparer.Ordinal))
            {
                valid.Add(normalized);
            }
        }
        return valid;
    }

    private static IReadOnlyList<string> ValidateKeys(IReadOnlyList<string> keys)
    {
        var valid = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            string text;
            try
            {
                text = PublicKey.Parse(key ?? "").ToString();
            }
            catch (KeyFormatException e)
            {
                throw Bad($"invalid upstream public key '{key}': {e.Message} (expected 'name:base64' as in trusted-public-keys)");
            }
            if (!valid.Contains(text, StringComparer.Ordinal))
            {
                valid.Add(text);
            }
        }
        return valid;
    }

    private static InvalidRequestException Bad(string message) => new(message);
}
