using Xunit;

namespace ChatEngine.Deploy.Tests;

/// <summary>Tests that run <c>dotnet publish</c>/<c>pack</c> on the repository one after another (parallel builds of one project collide).</summary>
[CollectionDefinition(Name)]
public sealed class DotnetBuildCollection
{
    public const string Name = "dotnet builds";
}
