// The idlab.core-optim plugin: PyTorch's Adam and SGD on the CPU.
#include "adam.hpp"
#include "sgd.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-optim", "idlab core optimizers", "idlab", "1.0.0",
                                "CPU optimizers (float32) with PyTorch semantics: core.adam, "
                                "core.sgd"}),
             idlab::core::Adam, idlab::core::Sgd)
