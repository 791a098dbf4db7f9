import torch

from irisseg.train.weight_ema import WeightEMA


def test_shadow_follows_the_weights_by_the_decay():
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
    ema = WeightEMA(model, decay=0.75)
    with torch.no_grad():
        model.weight.fill_(3.0)
    ema.update(model)
    assert torch.allclose(ema.shadow["weight"], torch.full((1, 2), 1.5))
    target = torch.nn.Linear(2, 1)
    ema.copy_to(target)
    assert torch.allclose(target.weight, torch.full((1, 2), 1.5))
