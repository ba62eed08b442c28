// The idlab.core-losses plugin: the paper's classification loss and cl-ica's contrastive loss on
// the CPU.
#include "cross_entropy.hpp"
#include "infonce.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{
                 "idlab.core-losses", "idlab core losses", "idlab", "1.1.0",
                 "CPU losses (float32, OpenBLAS): core.cross_entropy, core.infonce"}),
             idlab::core::CrossEntropy, idlab::core::InfoNce)
