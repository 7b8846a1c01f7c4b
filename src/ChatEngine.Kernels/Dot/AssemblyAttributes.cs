using System.Runtime.CompilerServices;

// The tests call the scalar and the AVX2 kernels directly to compare them on any machine.
[assembly: InternalsVisibleTo("ChatEngine.Kernels.Tests")]
