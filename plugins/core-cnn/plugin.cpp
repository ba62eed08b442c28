// The idlab.core-cnn plugin: core.cnn, a ResNet-18-style image encoder on the CPU.
#include "cnn.hpp"

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-cnn", "idlab core CNN", "idlab", "1.0.0",
                                "CPU image encoder (float32, im2col + OpenBLAS): core.cnn"}),
             idlab::cnn::Cnn)
