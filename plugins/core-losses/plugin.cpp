// The idlab.core-losses plugin: the paper's classification loss on the CPU.
#include "cross_entropy.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-losses", "idlab core losses", "idlab", "1.0.0",
                                "CPU losses (float32, OpenBLAS): core.cross_entropy"}),
             idlab::core::CrossEntropy)
