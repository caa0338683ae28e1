"""pacer.sim"""
